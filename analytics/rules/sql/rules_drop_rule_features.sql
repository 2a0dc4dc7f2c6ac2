-- Drop the features table before it is rebuilt. Parameters: none.
DROP TABLE IF EXISTS rule_features;
