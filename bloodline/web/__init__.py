"""The top layer of the site: layout, navigation, home pages, language and preferences."""
