// Builds hook requests the way Okta sends them, from Okta's published samples as the spec's
// `components.examples` holds them (the one copy: the tests' fixtures are built from the same):
// Identity Engine self-service registration, progressive profile, Classic Engine.
import { randomBytes } from "node:crypto";
import type { Schemas, SubmittedProfile } from "../spec.js";
import { specExample } from "./contract.js";

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

/** The named examples of `components.examples` that hold Okta's published sample of each kind. */
const SAMPLE_EXAMPLES = {
  registration: "SelfServiceRegistrationRequest",
  progressive: "ProgressiveProfileRequest",
  classic: "ClassicRegistrationRequest",
} as const satisfies Record<PreviewKind, string>;

interface SampleOf {
  readonly registration: SelfServiceRegistrationRequest;
  readonly progressive: ProgressiveProfileRequest;
  readonly classic: ClassicRegistrationRequest;
}

/**
 * A fresh copy of Okta's published sample of this kind, as the spec's `components.examples`
 * holds it (test/spec.test.ts checks that each validates against its schema).
 */
export function oktaSample<K extends PreviewKind>(kind: K): SampleOf[K] {
  return structuredClone(specExample(SAMPLE_EXAMPLES[kind])) as SampleOf[K];
}

/** Okta's ids are URL-safe base64: a 22-character event id, a 27-character request id. */
function oktaId(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString("base64url")
    .slice(0, length);
}

/** The sample with this call's identity: its own event id, time and request id. */
function withIdentity<T extends PreviewRequest>(sample: T, input: PreviewInput): T {
  const context = sample.data.context ?? {};
  return {
    ...sample,
    eventId: input.eventId ?? oktaId(22),
    eventTime: (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, ".000Z"),
    data: {
      ...sample.data,
      context: { ...context, request: { ...context.request, id: input.requestId ?? oktaId(27) } },
    },
  };
}

/** Identity Engine self-service registration: the submitted profile in `data.userProfile`. */
export function selfServiceRegistration(input: PreviewInput): SelfServiceRegistrationRequest {
  const sample = withIdentity(oktaSample("registration"), input);
  return {
    ...sample,
    data: { ...sample.data, userProfile: { ...sample.data.userProfile, ...input.profile } },
  };
}

/**
 * Identity Engine progressive profile: the new attributes (and only those) in
 * `data.userProfileUpdate`, the existing user (Okta's sample user) in `data.context.user`.
 */
export function progressiveProfile(input: PreviewInput): ProgressiveProfileRequest {
  const sample = withIdentity(oktaSample("progressive"), input);
  return { ...sample, data: { ...sample.data, userProfileUpdate: { ...input.profile } } };
}

/** Classic Engine registration as Okta captured it: no `requestType`, `data.action` null. */
export function classicRegistration(input: PreviewInput): ClassicRegistrationRequest {
  const sample = withIdentity(oktaSample("classic"), input);
  return {
    ...sample,
    data: { ...sample.data, userProfile: { ...sample.data.userProfile, ...input.profile } },
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
