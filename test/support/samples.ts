// Okta's published response samples (guides, reference pages, the Java hooks SDK), kept as the project's own fixtures.

/** Every response Okta documents as valid: each must validate against RegistrationHookResponse. */
export const publishedResponses: Readonly<Record<string, unknown>> = {
  // Classic guide: deny with a cause on login
  "RESP-CLASSIC-DENY-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
    error: {
      errorSummary: "Incorrect email address. Please contact your admin.",
      errorCauses: [
        {
          errorSummary: "Only example.com emails can register.",
          reason: "INVALID_EMAIL_DOMAIN",
          locationType: "body",
          location: "data.userProfile.login",
          domain: "end-user",
        },
      ],
    },
  },
  // deny by command alone
  "RESP-DENY-ONLY-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
  },
  // allow
  "RESP-DERIVED-ALLOW-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
  },
  // deny with a summary and no causes
  "RESP-DERIVED-DENY-SUMMARY-ONLY-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
    error: { errorSummary: "Incorrect email address. Please contact your admin." },
  },
  // empty object: allow with no change
  "RESP-DERIVED-EMPTY-01": {},
  // progressive profile: error only, empty commands
  "RESP-DERIVED-PP-ERROR-ONLY-01": {
    commands: [],
    error: {
      errorSummary: "Incorrect employee number. Enter an employee number with 4 digits.",
      errorCauses: [
        {
          errorSummary: "Employee numbers must have 4 digits.",
          reason: "INVALID_EMPLOYEE_NUMBER",
          locationType: "body",
          location: "data.userProfile.employeeNumber",
          domain: "end-user",
        },
      ],
    },
  },
  // progressive profile: update beyond the submitted delta
  "RESP-DERIVED-PP-UPDATE-EXTRA-01": {
    commands: [
      {
        type: "com.okta.user.progressive.profile.update",
        value: {
          employeeNumber: "1234",
          mobilePhone: "<value of data.userProfileUpdate.mobilePhone>",
        },
      },
    ],
  },
  // progressive profile update with error null and empty debugContext
  "RESP-DRAFT-PP-02": {
    error: null,
    commands: [
      {
        type: "com.okta.user.progressive.profile.update",
        value: { test: "_progressiveProfiling" },
      },
    ],
    debugContext: {},
  },
  // progressive profile update of two attributes
  "RESP-DRAFT-PP-03": {
    commands: [
      {
        type: "com.okta.user.progressive.profile.update",
        value: { test1: "value1", test2: "value2" },
      },
    ],
  },
  // profile update with error null and empty debugContext
  "RESP-DRAFT-SSR-02": {
    error: null,
    commands: [{ type: "com.okta.user.profile.update", value: { test: "_selfRegistration" } }],
    debugContext: {},
  },
  // progressive profile deny
  "RESP-PP-DENY-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
    error: {
      errorSummary: "Incorrect employee number. Enter an employee number with 4 digits.",
      errorCauses: [
        {
          errorSummary: "Only employee numbers with 4 digits can register.",
          reason: "INVALID_EMPLOYEE_NUMBER",
          locationType: "body",
          location: "data.userProfile.employeeNumber",
          domain: "end-user",
        },
      ],
    },
  },
  // progressive profile update
  "RESP-PP-UPDATE-01": {
    commands: [
      { type: "com.okta.user.progressive.profile.update", value: { employeeNumber: "1234" } },
    ],
  },
  // Java SDK: allow
  "RESP-SDK-ALLOW-01": {
    commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
  },
  // Java SDK: error with a bare cause and debugContext
  "RESP-SDK-ERR-01": {
    error: { errorCauses: [{ errorSummary: "test-error" }] },
    debugContext: { foo: "bar", one: "two" },
  },
  // Java SDK: two causes, one with unusual locationType and domain
  "RESP-SDK-ERR-02": {
    error: {
      errorSummary: "Errors were found in the user profile",
      errorCauses: [
        {
          errorSummary: "You specified an invalid email domain",
          reason: "INVALID_EMAIL_DOMAIN",
          locationType: "body",
          location: "data.userProfile.login",
          domain: "end-user",
        },
        {
          errorSummary: "You failed this test",
          reason: "EXPECTED_TEST_ERROR",
          locationType: "arm",
          location: "data.fake.location",
          domain: "foobar",
        },
      ],
    },
  },
  // Java SDK: profile update with string, number, boolean and array values
  "RESP-SDK-UPDATE-01": {
    commands: [
      {
        type: "com.okta.user.profile.update",
        value: { prop1: "value1", prop2: 2, prop3: true, prop4: ["one", "two", "three"] },
      },
    ],
  },
  // registration guide: deny with a cause on email
  "RESP-SSR-DENY-01": {
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
  },
  // registration guide: profile update
  "RESP-SSR-UPDATE-01": {
    commands: [
      { type: "com.okta.user.profile.update", value: { login: "first.last@example.com" } },
    ],
  },
  // reference: one profile update with two attributes
  "RESP-VALUE-01": {
    commands: [
      { type: "com.okta.user.profile.update", value: { middleName: "Danger", customerId: 12345 } },
    ],
  },
  // reference: two profile update commands
  "RESP-VALUE-02": {
    commands: [
      { type: "com.okta.user.profile.update", value: { middleName: "Danger" } },
      { type: "com.okta.user.profile.update", value: { customerId: 12345 } },
    ],
  },
};

/** Misspellings that must not validate. */
export const misspelledResponses: Readonly<Record<string, unknown>> = {
  // The 2019 draft with `action` instead of `registration` (corrected by Okta later).
  "action instead of registration": {
    commands: [{ type: "com.okta.action.update", value: { action: "DENY" } }],
    error: {
      errorSummary: "Errors were found in the user profile",
      errorCauses: [
        {
          errorSummary: "You specified an invalid email domain",
          reason: "INVALID_EMAIL_DOMAIN",
          locationType: "body",
          location: "data.userProfile.login",
          domain: "end-user",
        },
      ],
    },
    debugContext: { executionTimeMillis: 231 },
  },
  "Error with a capital E": { Error: { errorSummary: "Denied" } },
  "com.action.update (missing okta.)": {
    commands: [{ type: "com.action.update", value: { registration: "DENY" } }],
  },
  "unknown command type": { commands: [{ type: "com.okta.user.delete", value: {} }] },
  "registration value in lower case": {
    commands: [{ type: "com.okta.action.update", value: { registration: "deny" } }],
  },
  "command without value": { commands: [{ type: "com.okta.action.update" }] },
  "profile update value that is not an object": {
    commands: [{ type: "com.okta.user.profile.update", value: "x" }],
  },
  "errorCauses that is not an array": { error: { errorCauses: { errorSummary: "x" } } },
  "misspelled errorCause field": { error: { errorCauses: [{ errorSumary: "x" }] } },
};
