"""Pure helpers with no models: the bottom layer every app may import."""
