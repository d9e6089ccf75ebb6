import { USERNAME_PATTERN } from '../../accounts/AccountService.ts';
import { invalidField } from '../../errors/GatehouseError.ts';
import { decodeCursorText, encodeCursorText } from '../../server/keysetPage.ts';

/**
 * `member:`, a username as registration allows it (USERNAME_PATTERN without its anchors) and
 * the end mark `.`: a cursor cut short never reads as a shorter, valid one.
 */
const MEMBER_CURSOR = new RegExp(`^member:(${USERNAME_PATTERN.slice(1, -1)})\\.$`);

/** The longest cursor this server writes for the member list (base64url of 7 + 32 + 1 bytes is 54 characters). */
export const MEMBER_CURSOR_MAX_LENGTH = 64;

/** An opaque member-list cursor: the page after it starts after this username. */
export function encodeMemberCursor(username: string): string {
  return encodeCursorText(`member:${username}.`);
}

/** The username a member-list cursor points after; a cursor this server did not give out is a 400 on `cursor`. */
export function decodeMemberCursor(cursor: string): string {
  const match = MEMBER_CURSOR.exec(decodeCursorText(cursor) ?? '');
  if (!match) throw invalidField('cursor', 'The cursor is not one this server gave out');
  return match[1]!;
}
