// The request fixtures: Okta's published samples, read from the spec's `components.examples`
// (through src/cli/requests.ts, the preview tool's builder, so the samples exist once), with
// typed builders that lay a test's values over them.
import { oktaSample } from "../../src/cli/requests.js";
import type { Schemas } from "../../src/spec.js";

type SelfServiceRegistrationRequest = Schemas["SelfServiceRegistrationRequest"];
type ProgressiveProfileRequest = Schemas["ProgressiveProfileRequest"];
type ClassicRegistrationRequest = Schemas["ClassicRegistrationRequest"];
type Profile = Schemas["SubmittedProfile"];

/** Identity Engine self-service registration (the spec's SelfServiceRegistrationRequest example), `profile` laid over its userProfile. */
export function selfServiceRegistration(profile: Profile = {}): SelfServiceRegistrationRequest {
  const sample = oktaSample("registration");
  return {
    ...sample,
    data: { ...sample.data, userProfile: { ...sample.data.userProfile, ...profile } },
  };
}

/**
 * Identity Engine progressive profile (the spec's ProgressiveProfileRequest example): `update`
 * replaces its userProfileUpdate (the sample's own, `{employeeNumber: "1234"}`, when absent).
 */
export function progressiveProfile(update?: Profile): ProgressiveProfileRequest {
  const sample = oktaSample("progressive");
  return update === undefined
    ? sample
    : { ...sample, data: { ...sample.data, userProfileUpdate: update } };
}

/** Classic Engine registration as Okta captured it (the spec's ClassicRegistrationRequest example), `profile` laid over its userProfile. */
export function classicRegistration(profile: Profile = {}): ClassicRegistrationRequest {
  const sample = oktaSample("classic");
  return {
    ...sample,
    data: { ...sample.data, userProfile: { ...sample.data.userProfile, ...profile } },
  };
}

/**
 * Identity Engine captures from before Okta added `requestType`: a registration keyed by a
 * policy-rule id, and a progressive update with absolute links and no `data.userProfile`.
 */
export function earlyIdentityEngineRegistration(): Record<string, unknown> {
  const { requestType: _omitted, ...rest } = selfServiceRegistration();
  return { ...rest, source: "rul1bufGk5dJdRYw50g4" };
}

export function earlyIdentityEngineProgressiveProfile(update: Profile): Record<string, unknown> {
  const { requestType: _omitted, ...rest } = progressiveProfile(update);
  const user = rest.data.context?.user;
  return {
    ...rest,
    data: {
      ...rest.data,
      context: {
        ...rest.data.context,
        user: {
          ...user,
          _links: {
            groups: { href: "https://example.okta.com/api/v1/users/00u48gwcu01WxvNo/groups" },
            factors: { href: "https://example.okta.com/api/v1/users/00u48gwcu01WxvNo/factors" },
          },
        },
      },
    },
  };
}

/** Okta's superseded 2019 mock: `data.user.profile` instead of `data.userProfile`. Not a real payload. */
export function superseded2019Mock(): Record<string, unknown> {
  return {
    eventType: "com.okta.user.pre-registration",
    eventTypeVersion: "1.0",
    cloudEventVersion: "0.1",
    source: "/api/v1/registration/reg17jsXFYSfBEkZh0g4/register",
    eventID: "763F35F3-7D83-4547-836B-F55382ADBDC7",
    eventTime: "2018-05-29T20:04:22Z",
    contentType: "application/json",
    data: {
      context: { request: { id: "reqa-0DCpdKQe-td_UodXKpag", method: "POST" } },
      user: {
        profile: { firstName: "Isaac", lastName: "Brock", login: "isaac.brock@example.com" },
      },
    },
  };
}
