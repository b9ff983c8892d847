-- Default departments, categories and subtypes for damage reports (policy §4.2(1)).
-- Staff change them through /api/v1/report-categories and /api/v1/report-departments.
-- The e-mail addresses are placeholders (example.jp): set the real ones before going live,
-- until then the department mail fails visibly (mail_status = failed) instead of reaching a stranger.
-- 086-803-1000 is the city hall's main number; replace with each section's direct line.
INSERT INTO `report_departments` (`id`, `name`, `email`, `phone`, `created_at`, `updated_at`) VALUES
  ('road', '道路港湾管理課', 'road-reports@example.jp', '086-803-1000', 0, 0),
  ('park', '公園緑地課', 'park-reports@example.jp', '086-803-1000', 0, 0),
  ('general', 'デジタル推進課', 'dx-reports@example.jp', '086-803-1000', 0, 0);
--> statement-breakpoint
INSERT INTO `report_categories` (`code`, `parent_code`, `name_ja`, `name_en`, `department_id`, `emergency_phone`, `sort_order`, `active`, `created_at`, `updated_at`) VALUES
  ('road', NULL, '道路', 'Road', 'road', '086-803-1000', 1, 1, 0, 0),
  ('park', NULL, '公園', 'Park', 'park', '086-803-1000', 2, 1, 0, 0),
  ('other', NULL, 'その他', 'Other', 'general', '086-803-1000', 3, 1, 0, 0),
  ('road-pothole', 'road', '穴・陥没', 'Pothole / subsidence', NULL, NULL, 1, 1, 0, 0),
  ('road-step', 'road', '段差', 'Uneven surface', NULL, NULL, 2, 1, 0, 0),
  ('road-guardrail-sign', 'road', 'ガードレール・標識', 'Guardrail / sign', NULL, NULL, 3, 1, 0, 0),
  ('road-light', 'road', '道路照明', 'Street light', NULL, NULL, 4, 1, 0, 0),
  ('road-gutter', 'road', '側溝・ふた', 'Gutter / cover', NULL, NULL, 5, 1, 0, 0),
  ('road-other', 'road', 'その他', 'Other', NULL, NULL, 6, 1, 0, 0),
  ('park-playground', 'park', '遊具', 'Playground equipment', NULL, NULL, 1, 1, 0, 0),
  ('park-bench-light', 'park', 'ベンチ・照明', 'Bench / light', NULL, NULL, 2, 1, 0, 0),
  ('park-toilet-water', 'park', 'トイレ・水回り', 'Toilet / water', NULL, NULL, 3, 1, 0, 0),
  ('park-tree', 'park', '樹木', 'Trees', NULL, NULL, 4, 1, 0, 0),
  ('park-other', 'park', 'その他', 'Other', NULL, NULL, 5, 1, 0, 0),
  ('other-other', 'other', 'その他', 'Other', NULL, NULL, 1, 1, 0, 0);
