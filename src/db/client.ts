import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = PrismaClient;
export { Prisma } from './generated/client';

/**
 * Opens a Prisma client over node-postgres (the same path for a real server and embedded PGlite).
 * @param databaseUrl - PostgreSQL connection string
 * @param poolSize - most connections the pool opens
 */
export function createDb(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}
