"""Pages built from templates: the field registry, the pages use cases and the HTML renderer."""
