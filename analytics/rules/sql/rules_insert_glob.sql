-- One glob of one path category. Parameters: $category, $cat_ord, $glob.
INSERT INTO rule_category_glob VALUES ($category, $cat_ord, $glob);
