from . import marketplace_pair_listing
from . import marketplace_pair_listing_line
from . import marketplace_recover_order
