"""Number and date conventions where Django's defaults differ from what readers expect."""
