-- The web origins a source accepts browser calls from: a JSON array of "https://shop.example" or
-- "https://*.shop.example" patterns. NULL: any origin (write keys are public in a web page by design).
ALTER TABLE sources ADD COLUMN allowed_origins TEXT;
