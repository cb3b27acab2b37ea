/** Result types of the operation-data language (payload.md 3 and 5.1). */

export type OperationField =
  | { type: 'amount'; amount: string; currency: string }
  | { type: 'account'; iban: string; bic: string | null }
  | { type: 'anyAccount'; account: string }
  | { type: 'date'; date: string }
  | { type: 'reference' | 'note' | 'text'; text: string }
  | { type: 'fallback'; fieldType: string; text: string }
  | { type: 'empty' };

export type TemplateName = 'generic' | 'payment' | 'login';

export interface OperationData {
  /** `V1` for letter `A`, `VX` for any newer letter (parsed with the same rules). */
  version: 'V1' | 'VX';
  /** `A`..`Z`. */
  versionLetter: string;
  templateId: number;
  template: TemplateName;
  /** The raw line 3, escapes kept: this (not a re-serialization) enters the signing body. */
  sourceString: string;
  fields: OperationField[];
}

/** Builder input of one field (payload.md 3.6). */
export type OperationFieldInput =
  | { type: 'amount'; amount: string; currency: string }
  | { type: 'account'; iban: string; bic?: string | null }
  | { type: 'anyAccount'; account: string }
  | { type: 'date'; date: string }
  | { type: 'reference' | 'note' | 'text'; text: string };

export interface OperationDataInput {
  /** One letter `A`..`Z`. */
  version?: string;
  /** Integer 0..99. */
  templateId?: number;
  /** Ordered `{ position (1..5), field }` list; a later entry for a position replaces an earlier one. */
  set?: readonly { position: number; field: OperationFieldInput }[];
}
