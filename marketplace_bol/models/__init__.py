from . import marketplace_instance
