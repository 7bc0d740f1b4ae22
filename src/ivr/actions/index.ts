// The IVR's actions, registered with the flow engine (see src/flow/actions.ts).
import './identity';
import './refill';
import './appointments';
import './clinical';
import './http';
