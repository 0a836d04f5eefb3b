"""English dates as the portal writes them: day first, 24-hour clock (the same order as
French, so a date reads the same in both languages; "02/02/2027" is never a February/
March puzzle)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
