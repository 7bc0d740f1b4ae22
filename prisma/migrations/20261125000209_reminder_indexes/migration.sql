-- CreateIndex
CREATE INDEX "Reminder_patientId_createdAt_idx" ON "Reminder"("patientId", "createdAt");

-- CreateIndex
CREATE INDEX "ReminderAttempt_callSid_idx" ON "ReminderAttempt"("callSid");
