-- AlterTable
ALTER TABLE "CallbackTask" ADD COLUMN "retryAt" TIMESTAMP(3);

-- Open queue callbacks whose dueAt was moved forward for a retry keep waiting for that retry.
UPDATE "CallbackTask" SET "retryAt" = "dueAt" WHERE "reason" = 'queue_callback' AND "status" = 'open' AND "dueAt" > "createdAt";
