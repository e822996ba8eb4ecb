DROP TABLE alerts;
DROP TABLE report_subscriptions;
