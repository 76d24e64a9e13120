export { openDatabase, migrate, schemaVersion, transaction, DATABASE_FILE, type Database } from './database.ts';
export { MIGRATIONS, LATEST_VERSION, type Migration } from './migrations.ts';
