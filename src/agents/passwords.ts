import bcrypt from 'bcryptjs';

const COST = 10;
// Compared against when the email is unknown, so a miss costs as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync('careline-dummy-password', COST);

/**
 * Hashes a staff password with bcrypt.
 * @param password - the clear-text password
 * @param cost - bcrypt cost factor (tests pass a low one for speed)
 */
export function hashPassword(password: string, cost = COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/**
 * Checks a password against a stored hash; with no hash, spends the same time and says no.
 * @param password - what the user typed
 * @param hash - the stored bcrypt hash, if the account exists
 */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return ok && hash !== undefined;
}
