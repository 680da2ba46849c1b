# Chinese statistics group thousands with a comma (16,990,000 人次).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
