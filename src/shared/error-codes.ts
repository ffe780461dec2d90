// Every `code` a client can find in `{ "error": { "code", "message", "details"? } }`, with the HTTP
// statuses it comes with. AppError only takes a code listed here (the compiler checks), docs/api.md
// carries the same table (a test compares them), and the route-table fuzz test accepts no other code.
// A new failure either reuses a code or adds its line here and in the docs.
type Entry = { readonly status: readonly number[]; readonly meaning: string };

export const ERROR_CODES = {
  // The request itself, before any route runs (framework and HTTP level).
  bad_request: { status: [400], meaning: 'the HTTP request is malformed (bad header, bad chunking, a request Meridian cannot read)' },
  invalid_url: { status: [400], meaning: 'the URL path cannot be decoded (a bad `%` escape)' },
  not_found: { status: [404], meaning: 'no route for this path' },
  method_not_allowed: { status: [405], meaning: 'the path exists but not with this method; the `Allow` header lists those it has' },
  request_timeout: { status: [408], meaning: 'the request (headers and body) was not received in time' },
  payload_too_large: { status: [413], meaning: 'the body (or a decompressed body) is over the limit of the route' },
  param_too_long: { status: [414], meaning: 'a value in the URL path is longer than 1,024 characters' },
  unsupported_media_type: { status: [415], meaning: 'the Content-Type is malformed or not accepted by the route' },
  header_too_large: { status: [431], meaning: 'the request headers are over the size limit' },
  empty_body: { status: [400], meaning: 'the route needs a body and the request has none' },
  invalid_json: { status: [400], meaning: 'the body is not valid JSON' },
  invalid_content_length: { status: [400], meaning: 'Content-Length does not match the body received' },
  missing_field: { status: [400], meaning: 'a required field is missing (`details.field`)' },
  invalid_field: { status: [400], meaning: 'a field (body, query or path) does not match the schema (`details.field`)' },
  invalid_query: { status: [400], meaning: 'a query parameter is well-typed but unusable (e.g. not a date)' },
  invalid_character: { status: [400], meaning: 'the URL, the body or an event holds NUL (U+0000) or an unpaired UTF-16 surrogate, which Meridian does not store' },
  invalid_cursor: { status: [400], meaning: 'the paging cursor was not made by this API' },
  unauthenticated: { status: [401], meaning: 'no `Authorization: Bearer <API key>` header' },
  invalid_api_key: { status: [401], meaning: 'the API key is unknown or revoked' },
  forbidden: { status: [403], meaning: "the API key's role does not allow this action" },
  internal: { status: [500], meaning: 'an unexpected error; the server logged it in full' },
  not_ready: { status: [503], meaning: 'the server is starting or shutting down (`/readyz`)' },
  shutting_down: { status: [503], meaning: 'the server is shutting down and takes no new request; retry on another instance' },

  // Tracking API (write key, body decoding, message validation).
  missing_write_key: { status: [401], meaning: 'no write key (Basic auth user or `writeKey` field)' },
  invalid_write_key: { status: [401], meaning: 'the write key is unknown or revoked' },
  source_disabled: { status: [403], meaning: 'the source of the write key is disabled' },
  origin_not_allowed: { status: [403], meaning: "a browser call (`Origin` header) from an origin the source's `allowedOrigins` does not list" },
  rate_limited: { status: [429], meaning: "over the source's event rate; `Retry-After` says when to retry" },
  invalid_encoding: { status: [400], meaning: 'the body is not valid UTF-8' },
  invalid_compression: { status: [400], meaning: 'the body is not valid data for its Content-Encoding' },
  unsupported_encoding: { status: [415], meaning: 'the Content-Encoding is not gzip, deflate or none' },
  invalid_number: { status: [400], meaning: 'a number is not finite' },
  unsafe_number: { status: [400], meaning: 'an integer beyond 2^53 (send it as a string)' },
  too_deep: { status: [400], meaning: 'the JSON nests deeper than the limit' },
  forbidden_key: { status: [400], meaning: 'a `__proto__` or `constructor.prototype` key' },
  invalid_body: { status: [400], meaning: 'the body is not the JSON object the route expects' },
  invalid_batch: { status: [400], meaning: '`batch` is not an array' },
  empty_batch: { status: [400], meaning: '`batch` has no message' },
  event_too_large: { status: [413], meaning: 'one message is over the per-event size limit' },
  type_mismatch: { status: [400], meaning: "the message's `type` is not the endpoint's" },
  unknown_type: { status: [400], meaning: 'a batch item has an unknown `type`' },
  missing_identity: { status: [400], meaning: 'neither userId nor anonymousId (alias: userId and previousId)' },
  missing_event: { status: [400], meaning: 'a track call without `event`' },
  invalid_timestamp: { status: [400], meaning: 'a timestamp is not ISO-8601 or too far in the future' },

  // Sources, imports, ad reports, tracking plans, connectors.
  source_not_found: { status: [404], meaning: 'no source with this id' },
  write_key_not_found: { status: [404], meaning: 'no active write key with this id on the source' },
  import_not_found: { status: [404], meaning: 'no import with this id' },
  import_running: { status: [409], meaning: 'the same import is already running' },
  file_not_found: { status: [404], meaning: 'the file to import cannot be read' },
  invalid_path: { status: [400], meaning: 'the file to import is outside `<data dir>/imports/`' },
  invalid_file: { status: [422], meaning: 'the uploaded file cannot be read as its format' },
  invalid_mapping: { status: [400], meaning: 'the import or connector mapping is incomplete or inconsistent' },
  invalid_csv: { status: [400], meaning: 'the CSV body cannot be parsed' },
  invalid_report: { status: [422], meaning: 'rows of the ad report cannot be read (`details` lists them); nothing was imported' },
  tracking_plan_not_found: { status: [404], meaning: 'the source has no tracking plan' },
  invalid_tracking_plan: { status: [400], meaning: 'the tracking plan is inconsistent' },
  webhook_not_configured: { status: [404], meaning: 'the source has no webhook' },
  transformation_not_configured: { status: [404], meaning: 'the source has no transformation' },
  mqtt_not_configured: { status: [404], meaning: 'the source has no MQTT subscription' },
  db_sync_not_configured: { status: [404, 400], meaning: 'the source has no database sync (404), or it has no connection URL (400)' },
  vendor_api_not_configured: { status: [404, 400], meaning: 'the source has no vendor API access token' },
  db_sync_connect_failed: { status: [502], meaning: 'the source database did not accept the connection' },
  db_sync_running: { status: [409], meaning: 'a sync of this source is already running' },
  invalid_signature: { status: [401], meaning: 'the webhook signature is missing or wrong' },
  missing_header: { status: [400], meaning: 'a header the webhook vendor always sends is missing' },
  invalid_payload: { status: [400], meaning: 'a webhook or MQTT payload lacks a field or has a wrong value (`details.field`)' },
  missing_device_id: { status: [400], meaning: 'an MQTT message without a device id' },
  unknown_connector: { status: [400], meaning: 'no connector of this name' },
  transform_compile_error: { status: [400], meaning: 'the transformation does not compile or defines no `transform(event)`' },
  transform_error: { status: [422], meaning: 'the transformation threw' },
  transform_timeout: { status: [422], meaning: 'the transformation ran over its time limit' },
  transform_memory_limit: { status: [422], meaning: 'the transformation ran over its memory limit' },
  transform_invalid_output: { status: [422], meaning: 'the transformation returned something that is not an event, a list of events or null' },
  transform_unavailable: { status: [503], meaning: 'the transformation sandbox is not available' },

  // Identity and profiles.
  invalid_rules: { status: [400], meaning: 'the identity rules are inconsistent' },
  unknown_identifier_type: { status: [404], meaning: 'no identifier type of this name' },
  invalid_identifier: { status: [400], meaning: 'an identifier is malformed' },
  profile_not_found: { status: [404], meaning: 'no profile holds this identifier' },
  identifier_not_in_profile: { status: [400], meaning: 'an identifier to split off is not in the profile' },
  nothing_left: { status: [400], meaning: 'splitting off every identifier would not split the profile' },
  computed_trait_exists: { status: [409], meaning: 'a computed trait of this name exists' },
  computed_trait_not_found: { status: [404], meaning: 'no computed trait of this name' },
  invalid_computed_trait: { status: [400], meaning: 'the computed trait definition is inconsistent' },

  // Segments, tags, RFM.
  segment_not_found: { status: [404], meaning: 'no segment with this id' },
  invalid_rule: { status: [422], meaning: 'the segment rule is invalid (`details.path`)' },
  unknown_segment: { status: [422], meaning: 'a rule refers to a segment that does not exist' },
  placement_not_found: { status: [404], meaning: 'no placement with this id or name (`details.placement` names it for /v1/decide)' },
  placement_exists: { status: [409], meaning: 'a placement of this name exists' },
  invalid_placement: { status: [422], meaning: 'the placement rules are inconsistent (`details.problems` names each rule: weights not summing to 100, content and variants, duplicate names)' },
  segment_cycle: { status: [422], meaning: 'segments would refer to each other in a cycle' },
  segment_in_use: { status: [409], meaning: 'other segments use this segment' },
  tag_taken: { status: [409], meaning: 'another segment defines this tag' },
  template_not_found: { status: [404], meaning: 'no segment template of this name' },
  rfm_not_found: { status: [404], meaning: 'no RFM scores for the profile' },

  // Destinations.
  destination_not_found: { status: [404], meaning: 'no destination with this id' },
  dead_letter_not_found: { status: [404], meaning: 'no dead letter with this id' },
  unsupported_kind: { status: [400], meaning: 'the connector does not support this destination kind' },
  not_an_audience: { status: [400], meaning: 'only audience destinations can be resynced' },
  shared_audience: { status: [400], meaning: 'several segments sync to the same audience' },
  replace_unsupported: { status: [400], meaning: 'the connector cannot replace an audience' },
  replace_empty: { status: [409], meaning: 'an audience cannot be replaced with nobody' },
  replace_in_progress: { status: [409], meaning: 'a replace of this destination is still running' },
  segments_unavailable: { status: [409], meaning: 'segment memberships cannot be read' },
  invalid_unsubscribe_link: { status: [400], meaning: 'the unsubscribe link is not one Meridian signed' },
  invalid_role: { status: [400], meaning: 'no role of this name' },
  destination_errored: { status: [409], meaning: 'the destination cannot be used (unreadable secret, invalid settings, unknown connector); `GET /v1/destinations/{id}` says why: fix it with `PATCH`' },
  secret_unreadable: { status: [500], meaning: 'a stored secret cannot be decrypted (was `MERIDIAN_SECRET_KEY` changed?)' },

  // Journeys and coupon pools.
  journey_not_found: { status: [404], meaning: 'no journey with this id' },
  invalid_journey: { status: [422], meaning: 'the journey definition is invalid: `details.issues` lists each problem with its JSON path and step' },
  journey_status_conflict: { status: [409], meaning: 'the journey is not in a status that allows this action (e.g. resume a journey that is not paused, edit an archived one)' },
  journey_template_not_found: { status: [404], meaning: 'no journey template of this name' },
  journey_step_not_found: { status: [404], meaning: 'the journey has no step with this id (message preview)' },
  coupon_pool_not_found: { status: [404], meaning: 'no coupon pool with this id' },

  // Pipeline: items set aside by a stage, and their replay.
  unknown_stage: { status: [400], meaning: 'no pipeline stage of this name sets items aside in this server' },
  stage_failure_not_found: { status: [404], meaning: 'no set-aside pipeline item with this id' },
  already_replayed: { status: [409], meaning: 'the set-aside item was already replayed' },
  replay_not_ready: { status: [409], meaning: 'the stage cannot apply the item yet (it waits for an earlier stage); try again later' },
  replay_failed: { status: [409], meaning: 'the set-aside item still fails in its stage; the error is recorded on the item' },

  // Privacy: consent and data-subject requests.
  consent_category_not_found: { status: [404, 400], meaning: 'no consent category with this id (400 when named in a consent statement)' },
  consent_category_exists: { status: [409], meaning: 'a consent category with this id (compared case-insensitively) already exists' },
  consent_category_in_use: { status: [409], meaning: 'destinations still send under this consent category; `details.destinations` lists them' },
  consent_category_required: { status: [400], meaning: 'the consent category is required (necessary) and cannot be refused' },
  privacy_request_not_found: { status: [404], meaning: 'no data-subject request with this id' },
  privacy_export_unavailable: { status: [409], meaning: 'the request is not a completed access request, or its export was removed (the person was deleted since)' },
  // Predictions (lifetime models, purchase intent, recommendations).
  prediction_job_not_found: { status: [404], meaning: 'no prediction refit job with this id' },
  prediction_model_not_found: { status: [404], meaning: 'no fitted model of this name yet (run a refit)' },
  predictions_not_found: { status: [404], meaning: 'the profile has no predicted traits (no purchase up to the last refit, or no refit yet)' },
  invalid_prediction_window: { status: [422], meaning: 'the refit asOf day is in the future' },

  // Privacy: classification of personal data, field encryption at rest.
  invalid_classification: { status: [400], meaning: 'the classification kind is not email, phone, name, address, pii or none, or the field name is empty' },
  classification_not_found: { status: [404], meaning: 'no classification was set through the API for this field (`details.default` is its default)' },
  encryption_not_configured: { status: [409], meaning: 'field encryption needs a key-encryption key: set `MERIDIAN_KEK` or `MERIDIAN_KEK_FILE`' },
  rotation_in_progress: { status: [409], meaning: 'a key rotation is still re-encrypting values; wait for it (`GET /v1/privacy/keys`)' },
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);
