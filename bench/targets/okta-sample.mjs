// Okta's registration hook sample as its guide teaches it, the baseline of `npm run bench`: express,
// express.json(), a substring check on the email, res.send(JSON.stringify(...)). No validation, no
// authentication, no logs. Written for the benchmark only; never served.
import express from "express";

const app = express();
app.use(express.json());

app.post("/registrationHook", (request, response) => {
  const emailRegistration = request.body.data.userProfile.email;
  let returnValue;
  if (emailRegistration.includes("example.com")) {
    returnValue = {
      commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
    };
  } else {
    returnValue = {
      commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
      error: {
        errorSummary: "Incorrect email address. Please contact your admin.",
        errorCauses: [
          {
            errorSummary: "Only example.com emails can register.",
            reason: "INVALID_EMAIL_DOMAIN",
            locationType: "body",
            location: "data.userProfile.email",
            domain: "end-user",
          },
        ],
      },
    };
  }
  response.send(JSON.stringify(returnValue));
});

app.listen(Number(process.env.PORT), "127.0.0.1");
