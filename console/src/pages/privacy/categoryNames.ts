// The consent categories every workspace starts with (src/storage/migrations/*/210_consent.sql) have
// their names and descriptions in the catalogues; shown translated while they keep the seeded English
// name, as the workspace's own words once an admin renames one (and always for categories of its own).
import type { TFunction } from 'i18next';

const SEEDED: Record<string, { name: string; description: string }> = {
  necessary: { name: 'Necessary', description: 'Needed for the service to work; always allowed' },
  analytics: { name: 'Analytics', description: 'Measuring and improving the product' },
  marketing: { name: 'Marketing', description: 'Email, SMS and messaging campaigns' },
  advertising: { name: 'Advertising', description: 'Ad platforms: audiences and conversions' },
};

type Category = { id: string; name: string; description?: string | null };

export const categoryName = (c: Category, t: TFunction) => (SEEDED[c.id]?.name === c.name ? t(`privacy.seededCategories.${c.id}.name`) : c.name);

export const categoryDescription = (c: Category, t: TFunction) =>
  c.description && SEEDED[c.id]?.description === c.description ? t(`privacy.seededCategories.${c.id}.description`) : (c.description ?? null);
