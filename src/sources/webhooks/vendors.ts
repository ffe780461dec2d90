// The built-in webhook transformations, by the vendor name a webhook source is configured with.
import { loyalty } from './loyalty.js';
import { pos } from './pos.js';
import { shopify } from './shopify.js';
import { surveymonkey } from './surveymonkey.js';
import { typeform } from './typeform.js';
import type { VendorTransform } from './vendor.js';
import { woocommerce } from './woocommerce.js';
import { zendesk } from './zendesk.js';

export const VENDORS = { shopify, woocommerce, typeform, surveymonkey, zendesk, pos, loyalty } satisfies Record<string, VendorTransform>;
export type VendorName = keyof typeof VENDORS;
export const VENDOR_NAMES = Object.keys(VENDORS) as VendorName[];
