// GENERATED FILE: DO NOT EDIT. The types of validators.cjs, written by `npm run generate`.
import type { ValidateFunction } from "ajv";

export declare const requestValidators: Readonly<Record<string, readonly ValidateFunction[]>>;
export declare const validatePolicyDocument: ValidateFunction;
