-- The audit log is append-only: PostgreSQL itself refuses to change or remove an entry, whoever
-- asks (the application, a console session, a bug). Written by hand: Prisma's schema has no
-- notion of triggers, so `npm run db:migration` cannot generate it (the schema is unchanged).
-- The migration runner splits scripts at every semicolon, so the function body spells its one
-- semicolon as the octal escape \073 inside an E'' string.
CREATE OR REPLACE FUNCTION careline_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''AuditEntry is append-only: % is not allowed'', TG_OP USING ERRCODE = ''insufficient_privilege''\073 END';

CREATE TRIGGER "AuditEntry_no_update_delete"
  BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION careline_audit_append_only();

CREATE TRIGGER "AuditEntry_no_truncate"
  BEFORE TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION careline_audit_append_only();
