// Kysely types of the ad spend and campaign touch tables (migration 040).
declare module '../../storage/schema.js' {
  interface Database {
    campaign_spend: CampaignSpendTable;
    campaign_touches: CampaignTouchesTable;
  }
}

export interface CampaignSpendTable {
  day: string;
  channel: string;
  account_id: string;
  campaign_id: string;
  campaign_name: string;
  currency: string;
  cost_micros: number;
  impressions: number;
  clicks: number;
  conversions: number | null;
  updated_at: number;
}

export interface CampaignTouchesTable {
  seq: number;
  source_id: string;
  day: string;
  ts: number;
  channel: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  click_id_type: string | null;
  click_id: string | null;
  user_id: string | null;
  anonymous_id: string | null;
}
