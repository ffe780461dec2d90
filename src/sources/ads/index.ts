export { AdSpendStore } from './store.js';
export { adReportRoutes } from './routes.js';
export { campaignTouchesStage } from './touches-stage.js';
export { campaignParams, type CampaignParams } from './utm.js';
