// The project's own request fixtures, written from Okta's published samples and captures, with typed builders.
import type { Schemas } from "../../src/spec.js";

type SelfServiceRegistrationRequest = Schemas["SelfServiceRegistrationRequest"];
type ProgressiveProfileRequest = Schemas["ProgressiveProfileRequest"];
type ClassicRegistrationRequest = Schemas["ClassicRegistrationRequest"];
type Profile = Schemas["SubmittedProfile"];

/** Identity Engine self-service registration, as in Okta's registration hook guide. */
export function selfServiceRegistration(profile: Profile = {}): SelfServiceRegistrationRequest {
  return {
    eventId: "04Dmt8BcT_aEgM",
    eventTime: "2022-04-25T17:35:27.000Z",
    eventType: "com.okta.user.pre-registration",
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    source: "regt4qeBKU29vSoPz0g3",
    requestType: "self.service.registration",
    data: {
      context: {
        request: {
          method: "POST",
          ipAddress: "127.0.0.1",
          id: "123dummyId456",
          url: { value: "/idp/idx/enroll/new" },
        },
      },
      userProfile: {
        firstName: "Rosario",
        lastName: "Jones",
        login: "rosario.jones@example.com",
        email: "rosario.jones@example.com",
        ...profile,
      },
      action: "ALLOW",
    },
  };
}

/** Identity Engine progressive profile, as in Okta's guide: the delta, and the current user in context. */
export function progressiveProfile(
  update: Profile = { employeeNumber: "1234" },
): ProgressiveProfileRequest {
  return {
    eventId: "vzYp_zMwQu2htIWRbNJdfw",
    eventTime: "2022-04-25T04:04:41.000Z",
    eventType: "com.okta.user.pre-registration",
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    source: "regt4qeBKU29vS",
    requestType: "progressive.profile",
    data: {
      context: {
        request: {
          method: "POST",
          ipAddress: "127.0.0.1",
          id: "123dummyId456",
          url: { value: "/idp/idx/enroll/update" },
        },
        user: {
          passwordChanged: "2022-01-01T00:00:00.000Z",
          _links: {
            groups: { href: "/api/v1/users/00u48gwcu01WxvNol0g7/groups" },
            factors: { href: "/api/v1/users/00u48gwcu01WxvNol0g7/factors" },
          },
          profile: {
            firstName: "Rosario",
            lastName: "Jones",
            timeZone: "America/Los_Angeles",
            login: "rosario.jones@example.com",
            locale: "en_US",
          },
          id: "00u48gwcu01WxvNo",
        },
      },
      action: "ALLOW",
      userProfileUpdate: update,
    },
  };
}

/** Classic Engine registration as Okta captured it: no requestType, `data.action` null. */
export function classicRegistration(profile: Profile = {}): ClassicRegistrationRequest {
  return {
    eventId: "GOsk4z6tSSeZo6X08MvKaw",
    eventTime: "2019-08-27T18:07:24.000Z",
    eventType: "com.okta.user.pre-registration",
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    source: "reghawlks3zOkRrau0h7",
    data: {
      context: {
        request: {
          id: "XWVxW2zcaH5-Ii74OsI6CgAACJw",
          method: "POST",
          url: { value: "/api/v1/registration/reghawlks3zOkRrau0h7/register" },
          ipAddress: "98.124.153.138",
        },
      },
      userProfile: {
        lastName: "Doe",
        firstName: "John",
        login: "john.doe@example.com",
        email: "john.doe@example.com",
        ...profile,
      },
      action: null,
    },
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
