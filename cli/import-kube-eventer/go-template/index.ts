/** Go `text/template` (kube-eventer's body templates) to Eta: lexing, field table and translation. */
export { lexGoTemplate, positionOf } from './lex.ts';
export type { ActionPiece, LexResult, Piece, Position, TextPiece } from './lex.ts';
export { resolveField } from './fields.ts';
export type { FieldError, ResolvedField } from './fields.ts';
export { translatePieces } from './translate.ts';
export type { TemplateIssue, Translation } from './translate.ts';
