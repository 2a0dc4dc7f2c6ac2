-- Drop the label table before it is rebuilt. Parameters: none.
DROP TABLE IF EXISTS change_label;
