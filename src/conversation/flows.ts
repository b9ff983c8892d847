import { settingsFlow } from '../settings/flow';
import { reportFlow } from '../reports/flow';
import { communityFlow } from '../communities/flow';
import type { Flow, ServiceName } from './types';

/**
 * The service flows that exist. A service without a flow here answers that it is
 * not available yet. Each capability registers its flow in this one table.
 */
export const FLOWS: Partial<Record<ServiceName, Flow>> = {
  settings: settingsFlow,
  report: reportFlow,
  community: communityFlow,
};
