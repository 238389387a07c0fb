// Builds hook requests the way Okta sends them, modelled on Okta's published samples and
// captures: Identity Engine self-service registration, progressive profile, Classic Engine.
import { randomBytes } from "node:crypto";
import type { Schemas, SubmittedProfile } from "../spec.js";

export type SelfServiceRegistrationRequest = Schemas["SelfServiceRegistrationRequest"];
export type ProgressiveProfileRequest = Schemas["ProgressiveProfileRequest"];
export type ClassicRegistrationRequest = Schemas["ClassicRegistrationRequest"];
export type PreviewRequest =
  | SelfServiceRegistrationRequest
  | ProgressiveProfileRequest
  | ClassicRegistrationRequest;

export type PreviewKind = "registration" | "progressive" | "classic";

/** What the person submitted, and the call's identity (fresh unless given, for repeatable tests). */
export interface PreviewInput {
  readonly kind: PreviewKind;
  /** For registration: the whole submitted profile. For progressive: the delta. */
  readonly profile: SubmittedProfile;
  readonly eventId?: string;
  readonly requestId?: string;
  readonly now?: Date;
}

const EVENT_TYPE = "com.okta.user.pre-registration";

/** Okta's ids are URL-safe base64: a 22-character event id, a 27-character request id. */
function oktaId(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString("base64url")
    .slice(0, length);
}

/** The envelope every call carries, as in Okta's samples. */
function envelope(input: PreviewInput, source: string) {
  return {
    eventId: input.eventId ?? oktaId(22),
    eventTime: (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, ".000Z"),
    eventType: EVENT_TYPE,
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    source,
  } as const;
}

function requestContext(input: PreviewInput, path: string, ipAddress: string) {
  return {
    method: "POST",
    ipAddress,
    id: input.requestId ?? oktaId(27),
    url: { value: path },
  };
}

/** Identity Engine self-service registration: the submitted profile in `data.userProfile`. */
export function selfServiceRegistration(input: PreviewInput): SelfServiceRegistrationRequest {
  return {
    ...envelope(input, "regt4qeBKU29vSoPz0g3"),
    requestType: "self.service.registration",
    data: {
      context: { request: requestContext(input, "/idp/idx/enroll/new", "127.0.0.1") },
      userProfile: { firstName: "Rosario", lastName: "Jones", ...input.profile },
      action: "ALLOW",
    },
  };
}

/**
 * Identity Engine progressive profile: the new attributes in `data.userProfileUpdate`, the
 * existing user (Okta's sample user) in `data.context.user`.
 */
export function progressiveProfile(input: PreviewInput): ProgressiveProfileRequest {
  return {
    ...envelope(input, "regt4qeBKU29vS"),
    requestType: "progressive.profile",
    data: {
      context: {
        request: requestContext(input, "/idp/idx/enroll/update", "127.0.0.1"),
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
      userProfileUpdate: { ...input.profile },
    },
  };
}

/** Classic Engine registration as Okta captured it: no `requestType`, `data.action` null. */
export function classicRegistration(input: PreviewInput): ClassicRegistrationRequest {
  return {
    ...envelope(input, "reghawlks3zOkRrau0h7"),
    data: {
      context: {
        request: requestContext(
          input,
          "/api/v1/registration/reghawlks3zOkRrau0h7/register",
          "98.124.153.138",
        ),
      },
      userProfile: { lastName: "Doe", firstName: "John", ...input.profile },
      action: null,
    },
  };
}

/** The request Okta would send for this kind of call. */
export function buildRequest(input: PreviewInput): PreviewRequest {
  switch (input.kind) {
    case "registration":
      return selfServiceRegistration(input);
    case "progressive":
      return progressiveProfile(input);
    case "classic":
      return classicRegistration(input);
  }
}

/** How the kind reads in the output. */
export const KIND_LABELS: Readonly<Record<PreviewKind, string>> = {
  registration: "Identity Engine self-service registration",
  progressive: "Identity Engine progressive profile",
  classic: "Classic Engine self-service registration",
};
