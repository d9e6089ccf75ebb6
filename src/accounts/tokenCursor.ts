import { invalidField } from '../errors/GatehouseError.ts';
import { decodeCursorText, encodeCursorText } from '../server/keysetPage.ts';

/**
 * `token:`, the creation time in ms, the token id (newId's base64url, or any id up to the 64
 * characters the routes accept) and the end mark `.`: a cursor cut short never reads as a
 * shorter, valid one.
 */
const TOKEN_CURSOR = /^token:(\d{1,15}):([A-Za-z0-9_-]{1,64})\.$/;

/** The longest cursor this server writes for the token list (base64url of 6 + 15 + 1 + 64 + 1 bytes is 116 characters). */
export const TOKEN_CURSOR_MAX_LENGTH = 128;

/** A position in the token list (newest first): the page after it starts after this token. */
export interface TokenPosition {
  readonly createdAt: number;
  readonly id: string;
}

/** An opaque token-list cursor for the position after `last`. */
export function encodeTokenCursor(last: TokenPosition): string {
  return encodeCursorText(`token:${last.createdAt}:${last.id}.`);
}

/** The position a token-list cursor points after; a cursor this server did not give out is a 400 on `cursor`. */
export function decodeTokenCursor(cursor: string): TokenPosition {
  const match = TOKEN_CURSOR.exec(decodeCursorText(cursor) ?? '');
  if (!match) throw invalidField('cursor', 'The cursor is not one this server gave out');
  return { createdAt: Number(match[1]), id: match[2]! };
}
