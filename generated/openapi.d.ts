/**
 * GENERATED FILE: DO NOT EDIT.
 * Types of the OpenAPI document in openapi/, written by openapi-typescript.
 * Regenerate with `npm run generate`; CI fails (`npm run generate:check`) when this is stale.
 */

export interface paths {
    "/registrationHook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide a registration or a progressive profile update
         * @description Okta calls this operation with the profile a person submitted. The service evaluates
         *     every email address the request carries against its registration policy (ordered rules
         *     over domains, addresses and maintained lists; `ALLOWED_DOMAINS` is a policy of one allow
         *     rule) and answers:
         *
         *     - **allow**: `200` with a `com.okta.action.update` command `{registration: ALLOW}`;
         *     - **deny**: `200` with a `com.okta.action.update` command `{registration: DENY}` and an
         *       `error` whose first cause names the field (`location`) and carries the message the
         *       Sign-In Widget shows beside it (`errorSummary`) and a stable `reason`
         *       (`INVALID_EMAIL_DOMAIN`, `INVALID_EMAIL`, `MISSING_EMAIL`, `DISPOSABLE_EMAIL`,
         *       `FREE_EMAIL_PROVIDER`, `DENIED_EMAIL_DOMAIN`, `DENIED_EMAIL_ADDRESS` or the policy's own),
         *       in the person's language when the policy has it.
         *
         *     An allow rule may add a `com.okta.user.profile.update` command (self-service registration
         *     only). Every `200` answer carries a `debugContext` naming the deciding rules and the
         *     policy's version, which Okta copies into its System Log.
         */
        post: operations["registrationHook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness probe
         * @description Answers as long as the process can serve requests.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness probe
         * @description Ready when the configuration is loaded and, with OAuth authentication, the authorization
         *     server's keys have been obtained. Not ready while the service shuts down, so that a load
         *     balancer stops sending it calls before it exits.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Hook calls by decision and reason, authentication and validation failures, a latency
         *     histogram, and process metrics, in the Prometheus text format. No personal data. Expose it
         *     only to your monitoring (restrict the path at the ingress).
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * InlineHookEnvelope
         * @description The properties Okta sends with every inline hook call.
         */
        InlineHookEnvelope: {
            /**
             * @description The identifier of this hook call. Okta recommends it to detect duplicate deliveries.
             * @example 04Dmt8BcT_aEgM
             */
            eventId?: string;
            /**
             * @description When Okta sent the call (ISO 8601, UTC).
             * @example 2022-04-25T17:35:27.000Z
             */
            eventTime?: string;
            /**
             * @description Always `com.okta.user.pre-registration` for the registration hook.
             * @enum {string}
             */
            eventType: "com.okta.user.pre-registration";
            /** @description `"1.0"`. Sent as a string; a number is accepted too. */
            eventTypeVersion?: string | number;
            /** @description `"0.1"`. Sent as a string; a number is accepted too. */
            cloudEventVersion?: string | number;
            /** @example application/json */
            contentType?: string;
            /**
             * @description An opaque identifier of what triggered the call (seen as a registration id `reg…` or
             *     a policy-rule id `rul…`). Not interpreted by the service.
             */
            source?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * HookRequestContext
         * @description The request to Okta that triggered the hook.
         */
        HookRequestContext: {
            /** @description Okta's id of that request (equal to the `X-Okta-Request-Id` header). */
            id?: string;
            /** @example POST */
            method?: string;
            url?: {
                /**
                 * @description The path of that request: `/idp/idx/enroll/new` (registration),
                 *     `/idp/idx/enroll/update` (progressive profile) or
                 *     `/api/v1/registration/{id}/register` (Classic).
                 */
                value?: string;
            } & {
                [key: string]: unknown;
            };
            /** @description The address of the person's client. */
            ipAddress?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * ProfileAttributes
         * @description Name-value pairs of Okta user profile attributes. Any attribute, of any JSON type, may
         *     appear, including custom ones.
         */
        ProfileAttributes: {
            [key: string]: unknown;
        };
        /**
         * ContextUser
         * @description The existing user whose profile a progressive profile call would update.
         */
        ContextUser: {
            /** @example 00u48gwcu01WxvNo */
            id?: string;
            /** @description When the user's password last changed (ISO 8601). */
            passwordChanged?: string;
            profile?: components["schemas"]["ProfileAttributes"];
            _links?: {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /**
         * HookContext
         * @description What Okta tells about the call; the service cannot change it.
         */
        HookContext: {
            request?: components["schemas"]["HookRequestContext"];
            user?: components["schemas"]["ContextUser"];
        } & {
            [key: string]: unknown;
        };
        /**
         * SubmittedProfile
         * @description The attributes the person submitted on the form, including custom and non-schema ones.
         *     Okta never sends the password or attributes marked sensitive. `email` and `login` are
         *     strings when present; the service checks every one that holds an email address.
         */
        SubmittedProfile: {
            /** @example rosario.jones@example.com */
            email?: string | null;
            /** @example rosario.jones@example.com */
            login?: string | null;
            firstName?: string | null;
            lastName?: string | null;
        } & {
            [key: string]: unknown;
        };
        /**
         * RegistrationAction
         * @description What Okta will do by default: `ALLOW` in Identity Engine, `null` in Classic captures.
         *     Okta never sends `DENY` in practice.
         * @enum {string|null}
         */
        RegistrationAction: "ALLOW" | "DENY" | null;
        /**
         * RegistrationData
         * @description The `data` of a self-service registration call (Identity Engine or Classic).
         */
        RegistrationData: {
            context?: components["schemas"]["HookContext"];
            userProfile: components["schemas"]["SubmittedProfile"];
            action?: components["schemas"]["RegistrationAction"];
        } & {
            [key: string]: unknown;
        };
        /**
         * SelfServiceRegistrationRequest
         * @description Identity Engine self-service registration: a person submitted the registration form. The
         *     submitted attributes are in `data.userProfile`.
         */
        SelfServiceRegistrationRequest: components["schemas"]["InlineHookEnvelope"] & {
            /** @enum {string} */
            requestType?: "self.service.registration";
            data: components["schemas"]["RegistrationData"];
        };
        /**
         * ProgressiveProfileData
         * @description The `data` of a progressive profile call.
         */
        ProgressiveProfileData: {
            context?: components["schemas"]["HookContext"];
            userProfileUpdate: components["schemas"]["SubmittedProfile"];
            action?: components["schemas"]["RegistrationAction"];
        } & {
            [key: string]: unknown;
        };
        /**
         * ProgressiveProfileRequest
         * @description Identity Engine progressive profiling: an existing person was asked for more attributes at
         *     sign-in. The new or changed attributes are in `data.userProfileUpdate`, the current profile
         *     in `data.context.user.profile`. Where `requestType` is absent, a body with
         *     `data.userProfileUpdate` and no `data.userProfile` is read as progressive profiling.
         */
        ProgressiveProfileRequest: components["schemas"]["InlineHookEnvelope"] & {
            /** @enum {string} */
            requestType?: "progressive.profile";
            data: components["schemas"]["ProgressiveProfileData"];
        };
        /**
         * ClassicRegistrationRequest
         * @description Classic Engine self-service registration (and Identity Engine calls made before Okta added
         *     `requestType`): the same `data.userProfile` as Identity Engine, no `requestType`, and
         *     `data.action` usually `null`.
         */
        ClassicRegistrationRequest: components["schemas"]["InlineHookEnvelope"] & {
            /** @description Absent in this shape. */
            requestType?: unknown;
            data: components["schemas"]["RegistrationData"];
        };
        /**
         * RegistrationHookRequest
         * @description What Okta posts to the hook: one of the three request shapes. A body that carries
         *     neither `data.userProfile` nor `data.userProfileUpdate` (such as the superseded 2019 mock
         *     with `data.user.profile`) matches none of them.
         */
        RegistrationHookRequest: components["schemas"]["SelfServiceRegistrationRequest"] | components["schemas"]["ProgressiveProfileRequest"] | components["schemas"]["ClassicRegistrationRequest"];
        /**
         * RegistrationDecision
         * @description The outcome a `com.okta.action.update` command sets.
         * @enum {string}
         */
        RegistrationDecision: "ALLOW" | "DENY";
        /**
         * ActionUpdateCommand
         * @description Allow or deny the registration (or the progressive profile update). Registrations are
         *     allowed by default, so `ALLOW` is valid but not required.
         */
        ActionUpdateCommand: {
            /** @enum {string} */
            type: "com.okta.action.update";
            value: {
                registration: components["schemas"]["RegistrationDecision"];
            };
        };
        /**
         * ProfileUpdateCommand
         * @description Set attributes of the user about to be created (self-service registration only; invalid in
         *     a progressive profile answer). The attributes must exist in the Okta user schema; the
         *     password can never be set.
         */
        ProfileUpdateCommand: {
            /** @enum {string} */
            type: "com.okta.user.profile.update";
            value: components["schemas"]["ProfileAttributes"];
        };
        /**
         * ProgressiveProfileUpdateCommand
         * @description Set attributes of the existing user in a progressive profile answer (progressive profile
         *     only). Attributes other than those submitted may be set too, if not sensitive.
         */
        ProgressiveProfileUpdateCommand: {
            /** @enum {string} */
            type: "com.okta.user.progressive.profile.update";
            value: components["schemas"]["ProfileAttributes"];
        };
        /**
         * HookCommand
         * @description One command. Each type has its own `value` shape.
         */
        HookCommand: components["schemas"]["ActionUpdateCommand"] | components["schemas"]["ProfileUpdateCommand"] | components["schemas"]["ProgressiveProfileUpdateCommand"];
        /**
         * ErrorCause
         * @description One reason for the denial. Okta places no restriction on the values.
         */
        ErrorCause: {
            /**
             * @description The message shown to the person signing up, in their language when the policy has it.
             * @example Registration is open to example.com email addresses only.
             */
            errorSummary?: string;
            /**
             * @description A stable, enum-like code. This service sends `INVALID_EMAIL_DOMAIN` (no rule allowed
             *     the domain), `INVALID_EMAIL`, `MISSING_EMAIL`, `DISPOSABLE_EMAIL`,
             *     `FREE_EMAIL_PROVIDER`, `DENIED_EMAIL_DOMAIN`, `DENIED_EMAIL_ADDRESS`, or a reason its
             *     policy defines (an upper-case token, `^[A-Z][A-Z0-9_]{0,63}$`).
             * @example INVALID_EMAIL_DOMAIN
             */
            reason?: string;
            /**
             * @description Where the failing value is; usually `body`.
             * @example body
             */
            locationType?: string;
            /**
             * @description The JSON path of the failing attribute in the request.
             * @example data.userProfile.email
             */
            location?: string;
            /**
             * @description Who the error is for, for example `end-user`.
             * @example end-user
             */
            domain?: string;
        };
        /**
         * HookError
         * @description Denies the registration. With the Sign-In Widget, the `errorSummary` of each cause whose
         *     `location` names a submitted attribute (for example `data.userProfile.email`) shows beside
         *     that field. Without causes the widget shows a generic message.
         */
        HookError: {
            /** @description A summary of the errors. */
            errorSummary?: string;
            errorCauses?: components["schemas"]["ErrorCause"][];
        } | null;
        /**
         * DebugContext
         * @description Free-form information that Okta writes to the System Log event
         *     `inline_hook.response.processed`. Never put personal data here. This service sends, on every
         *     `200` answer, the fields below: why the registration was allowed or denied, which rules of
         *     the policy decided, and which report-only rules would have acted. It holds no address and
         *     no secret, and stays under 512 bytes.
         */
        DebugContext: {
            /**
             * @description The decision the answer carries.
             * @enum {string}
             */
            decision?: "ALLOW" | "DENY";
            /**
             * @description The deciding rule of each address checked, comma-separated, `email` first; `default`
             *     when no rule matched, `address` when an address is missing or invalid.
             */
            rules?: string;
            /** @description The enforced denial reasons, comma-separated. */
            reasons?: string;
            /** @description A digest of the compiled policy (rules, lists and messages). */
            policyVersion?: string;
            /**
             * @description `rule:REASON` (or `rule:ALLOW`) of each report-only rule that matched, comma-separated;
             *     with `mode: report`, every denial the policy would have made.
             */
            reportOnly?: string;
            /**
             * @description Present when the whole policy is report-only.
             * @enum {string}
             */
            mode?: "report";
        } & {
            [key: string]: unknown;
        };
        /**
         * RegistrationHookResponse
         * @description Okta's whole response contract for the registration hook. An empty object allows the
         *     registration with no change. Commands are applied in order. An `error` object, even
         *     without a `DENY` command and even empty, denies the registration and no command is
         *     applied. The body must stay under 256 KB.
         */
        RegistrationHookResponse: {
            commands?: components["schemas"]["HookCommand"][];
            error?: components["schemas"]["HookError"];
            debugContext?: components["schemas"]["DebugContext"];
        };
        /**
         * FieldError
         * @description One field that failed validation.
         */
        FieldError: {
            /**
             * @description The dotted path of the field in the request body (`body` for the whole body).
             * @example data.userProfile
             */
            field: string;
            /** @example is required */
            message: string;
        };
        /**
         * Problem
         * @description An HTTP error (RFC 9457 problem details): the request could not be accepted. Okta treats
         *     any non-2xx answer as a failed call and denies the registration (retrying once after a
         *     5xx).
         */
        Problem: {
            /**
             * @description A URN naming the kind of problem; stable, safe to branch on.
             * @enum {string}
             */
            type: "urn:problem:registration-hook:invalid-request" | "urn:problem:registration-hook:malformed-json" | "urn:problem:registration-hook:unauthorized" | "urn:problem:registration-hook:not-found" | "urn:problem:registration-hook:method-not-allowed" | "urn:problem:registration-hook:payload-too-large" | "urn:problem:registration-hook:unsupported-media-type" | "urn:problem:registration-hook:internal-error" | "urn:problem:registration-hook:bad-request" | "urn:problem:registration-hook:request-timeout" | "urn:problem:registration-hook:headers-too-large";
            /** @description A short summary of the kind of problem. */
            title: string;
            /** @description The HTTP status code. */
            status: number;
            /** @description What went wrong with this request. */
            detail?: string;
            /** @description The request's id, also found in the service's logs. */
            instance?: string;
            /** @description For an invalid request, each failing field. */
            errors?: components["schemas"]["FieldError"][];
        };
        /**
         * Health
         * @description The liveness answer.
         */
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /**
         * Readiness
         * @description The readiness answer, with the state of each check.
         */
        Readiness: {
            /** @enum {string} */
            status: "ready" | "not-ready";
            checks: {
                /**
                 * @description The configuration is loaded and valid.
                 * @enum {string}
                 */
                config: "ok";
                /**
                 * @description With OAuth, whether the authorization server's signing keys are in hand
                 *     (`ok`/`failing`); `not-needed` with a shared secret.
                 * @enum {string}
                 */
                keys: "ok" | "failing" | "not-needed";
                /**
                 * @description `draining` once the service has been asked to stop.
                 * @enum {string}
                 */
                shutdown: "ok" | "draining";
            };
        };
    };
    responses: {
        /**
         * @description The request body is not valid JSON or does not match the request schema (`errors` names
         *     each failing field), or the HTTP request itself is malformed (`bad-request`, answered by
         *     the HTTP server before any operation runs, and the connection closed).
         */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:invalid-request",
                 *       "title": "The request does not match the hook's contract",
                 *       "status": 400,
                 *       "detail": "Invalid request: data.userProfile.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12",
                 *       "errors": [
                 *         {
                 *           "field": "data.userProfile",
                 *           "message": "is required"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The authentication header is missing or wrong. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:unauthorized",
                 *       "title": "Authentication failed",
                 *       "status": 401,
                 *       "detail": "The authentication header is missing or wrong.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No operation at this path (the service answers this for any unknown path). */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:not-found",
                 *       "title": "Not found",
                 *       "status": 404,
                 *       "detail": "No operation at this path.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The path exists but not with this HTTP method. */
        MethodNotAllowed: {
            headers: {
                /**
                 * @description The methods the path takes (RFC 9110).
                 * @example GET, HEAD
                 */
                Allow?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:method-not-allowed",
                 *       "title": "Method not allowed",
                 *       "status": 405,
                 *       "detail": "GET is not allowed here.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The request (headers or body) did not arrive in time. Answered by the HTTP server before
         *     any operation runs; the connection is then closed.
         */
        RequestTimeout: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:request-timeout",
                 *       "title": "The request did not arrive in time",
                 *       "status": 408,
                 *       "detail": "The request was not received within the time allowed."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is larger than 64 KiB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:payload-too-large",
                 *       "title": "The request body is too large",
                 *       "status": 413,
                 *       "detail": "The body must not exceed 65536 bytes.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is not sent as `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:unsupported-media-type",
                 *       "title": "The request body must be JSON",
                 *       "status": 415,
                 *       "detail": "Send the body as application/json.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The request's header block is larger than 16 KiB. Answered by the HTTP server before any
         *     operation runs; the connection is then closed.
         */
        HeadersTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:headers-too-large",
                 *       "title": "The request headers are too large",
                 *       "status": 431,
                 *       "detail": "The request's headers must not exceed 16384 bytes."
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The service failed unexpectedly (with `FAIL_MODE=closed`, the default). Okta retries once
         *     and then denies the registration.
         */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:problem:registration-hook:internal-error",
                 *       "title": "Internal error",
                 *       "status": 500,
                 *       "detail": "The service could not handle the request.",
                 *       "instance": "3f1c2a9e-6a4b-4f0e-9b8e-2d7c1f5a0b12"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    registrationHook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * @description One of three shapes. Identity Engine self-service registration carries
         *     `requestType: self.service.registration` and `data.userProfile`; Identity Engine
         *     progressive profiling carries `requestType: progressive.profile`,
         *     `data.userProfileUpdate` and `data.context.user`; Classic Engine (and Identity Engine
         *     before `requestType` existed) carries `data.userProfile` with no `requestType`.
         *     Every object takes properties beyond those listed, since Okta adds fields over time.
         */
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegistrationHookRequest"];
            };
        };
        responses: {
            /**
             * @description The decision, as commands and an optional error. An `error` object denies the
             *     registration even without a `DENY` command, and then no command is applied.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegistrationHookResponse"];
                };
            };
            /**
             * @description Allow the registration with no change. No body. This service answers it only with
             *     `FAIL_MODE=open`, when it fails internally, so that registration proceeds.
             */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            408: components["responses"]["RequestTimeout"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            431: components["responses"]["HeadersTooLarge"];
            500: components["responses"]["InternalError"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": components["schemas"]["Health"];
                };
            };
            400: components["responses"]["BadRequest"];
            405: components["responses"]["MethodNotAllowed"];
            408: components["responses"]["RequestTimeout"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready to take hook calls. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "config": "ok",
                     *         "keys": "not-needed",
                     *         "shutdown": "ok"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            400: components["responses"]["BadRequest"];
            405: components["responses"]["MethodNotAllowed"];
            408: components["responses"]["RequestTimeout"];
            431: components["responses"]["HeadersTooLarge"];
            /** @description Not ready; `checks` says why. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "not-ready",
                     *       "checks": {
                     *         "config": "ok",
                     *         "keys": "failing",
                     *         "shutdown": "ok"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # HELP registration_hook_decisions_total Hook calls answered, by decision.
                     *     # TYPE registration_hook_decisions_total counter
                     *     registration_hook_decisions_total{decision="allow",reason="",request_type="self.service.registration"} 12
                     */
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            405: components["responses"]["MethodNotAllowed"];
            408: components["responses"]["RequestTimeout"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
}
