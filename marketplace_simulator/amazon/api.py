"""AmazonAPI: the roles put together, its state and its reset."""

import random
import time
from collections import OrderedDict

from ..core import Marketplace
from .buyers import BuyersMixin
from .catalogue import CatalogueMixin
from .control import ControlMixin
from .data import LWA_DEFAULT_TTL, SITES
from .feed_processing import FeedProcessingMixin
from .feeds import FeedsMixin
from .finance_events import FinanceEventsMixin
from .finances import FinancesMixin
from .finances_api import FinancesApiMixin
from .finances_control import FinancesControlMixin
from .inventory import InventoryMixin
from .listings import ListingsMixin
from .orders import OrdersMixin
from .orders_2026 import Orders2026Mixin
from .orders_v0 import OrdersV0Mixin
from .reports import ReportsMixin
from .routes import RoutesMixin
from .sellers import SellersMixin
from .shipments import ShipmentsMixin
from .tokens import TokensMixin


class AmazonAPI(
    RoutesMixin,
    TokensMixin,
    ControlMixin,
    SellersMixin,
    CatalogueMixin,
    OrdersMixin,
    BuyersMixin,
    OrdersV0Mixin,
    Orders2026Mixin,
    ShipmentsMixin,
    FeedsMixin,
    FeedProcessingMixin,
    ListingsMixin,
    InventoryMixin,
    ReportsMixin,
    FinancesMixin,
    FinanceEventsMixin,
    FinancesApiMixin,
    FinancesControlMixin,
    Marketplace,
):
    name = "amazon"

    # default credentials (flags may set others)
    seller_id = "SIMSELLER1"
    client_id = "sim-lwa-client"
    client_secret = "sim-lwa-secret"
    refresh_token = "sim-refresh-token"

    default_sizes = {"orders": 250, "products": 40}
    ORDER_ITEMS_PAGE = 100  # order items per getOrderItems page
    INVENTORY_PAGE = 50  # summaries per getInventorySummaries page

    def __init__(self, sim):
        super().__init__(sim)
        self.tokens = {}  # access token -> expiry (epoch seconds); kept across resets
        self.rdts = {}  # restricted data token -> {"expiry", "resources"}; kept across resets
        self.token_ttl = LWA_DEFAULT_TTL
        self._routes = self._build_routes()

    # ========================================================================================
    # state
    # ========================================================================================
    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = int(sizes.get("products", self.default_sizes["products"]))
        self.seed = seed
        self.rng = random.Random("amazon-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self.orders = {}
        self.order_list = []  # sorted by purchase date while _p_sorted
        self._p_sorted = True
        self._by_u = None  # (LastUpdateDate, order) ascending, built on demand; stale entries skipped
        self._u_dups = False
        self.cursors = OrderedDict()  # getOrders NextToken -> the listing's rest
        self.search_cursors = OrderedDict()  # searchOrders nextToken -> the listing's rest and filters
        self.participations = list(SITES)
        self.pii_role = True  # the app holds the restricted-data (PII) role: RDTs are granted
        self.orders_2026 = True  # the app may call Orders 2026-01-01
        self.shipments = []
        self.documents = {}  # id -> {"content": bytes|None, "contentType", "kind"}
        self.feeds = {}
        self.feed_list = []
        self.reports = {}
        self.returns = []
        self.offers_touched = set()
        self.feed_stage_seconds = float(sizes.get("feed_stage_seconds", 5.0))
        self.issue_skus = True  # processing-report issues name their SKU (the schema makes it optional)
        self._doc_seq = 0
        self._feed_seq = 0
        self._item_seq = 0
        self._order_seq = 0
        self._salt = self.rng.randrange(10**7)
        self._build_catalogue(n_products)
        self._fin_reset(sizes)
        days = float(sizes.get("order_days", 60))  # the span of the generated orders' purchase dates
        self._generate_orders(n_orders, self.now - days * 86400, self.now - 300)
        self._generate_returns()
        self._fin_finish_seeding()
