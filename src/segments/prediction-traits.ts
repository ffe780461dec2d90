// The predicted traits a refit of the models computes for every purchaser (src/analytics/predict), which
// the prediction condition compares. Dependency-free: the console imports it as the server's own list.
export const PREDICTION_TRAITS = ['p_alive', 'expected_orders_90d', 'clv_12m', 'churn_risk', 'purchase_intent'] as const;
export type PredictionTrait = (typeof PREDICTION_TRAITS)[number];
