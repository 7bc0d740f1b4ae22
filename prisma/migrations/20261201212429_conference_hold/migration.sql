-- AlterTable
ALTER TABLE "CallRecord" ADD COLUMN     "holdCount" INTEGER,
ADD COLUMN     "holdSec" INTEGER;
