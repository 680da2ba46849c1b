# Vietnamese administrative documents group thousands with a dot and write dates day/month/year
# (297 đơn vị, 1.005 đơn vị; 28/12/2020).
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
