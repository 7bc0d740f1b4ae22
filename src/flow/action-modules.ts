// Modules that register flow actions. Start-up and `npm run flows:check` import this file so every
// `action:` a flow names is known before the flows are validated. Add one line per module.
import '../ivr/actions';
import '../reminders/flow-actions';
import '../reminders/refill-group-actions';
