import type { Context } from '../context';
import { createCampaign, type CampaignOptions, type CampaignSummary } from './campaign-create';
import { addReminderJobs } from './reminder-queue';

/**
 * Creates a campaign and enqueues its reminders' first attempts (the scheduled job, the CLI and
 * the API all start campaigns this way). A dry run creates and enqueues nothing.
 * @param opts - see createCampaign
 */
export async function launchCampaign(ctx: Context, opts: CampaignOptions): Promise<CampaignSummary> {
  const summary = await createCampaign(ctx, opts);
  if (!summary.dryRun) await addReminderJobs(ctx, summary.reminderIds);
  return summary;
}

/**
 * Cancels a campaign: its waiting reminders are skipped and never dialed (calls already live end
 * normally).
 * @returns the number of reminders stopped, or null when there is no such campaign
 */
export async function cancelCampaign(ctx: Context, campaignId: string): Promise<number | null> {
  const { count } = await ctx.db.campaign.updateMany({ where: { id: campaignId, status: 'running' }, data: { status: 'cancelled' } });
  if (!count && !(await ctx.db.campaign.findUnique({ where: { id: campaignId }, select: { id: true } }))) return null;
  const stopped = await ctx.db.reminder.updateMany({ where: { campaignId, status: 'pending' }, data: { status: 'skipped', outcome: 'campaign_cancelled' } });
  return stopped.count;
}
