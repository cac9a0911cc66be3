"""The Bol.com simulator: one class made of the roles in this package."""

import random
import threading
import time

from ..core import Marketplace
from .catalogue import CatalogueMixin
from .control import ControlMixin
from .generate import GenerateMixin
from .http import HttpMixin
from .invoice_render import InvoiceRenderMixin
from .invoices import InvoiceLedgerMixin
from .offers import OffersMixin
from .orders import OrdersMixin
from .process import ProcessMixin
from .render import RenderMixin
from .returns import ReturnsMixin
from .shipments import ShipmentsMixin
from .token import TokenMixin


class BolAPI(
    CatalogueMixin,
    GenerateMixin,
    RenderMixin,
    ControlMixin,
    HttpMixin,
    TokenMixin,
    OrdersMixin,
    ShipmentsMixin,
    OffersMixin,
    ReturnsMixin,
    InvoiceLedgerMixin,
    InvoiceRenderMixin,
    ProcessMixin,
    Marketplace,
):
    """The Retailer API v10 under `/bol` (see the package docstring)."""

    name = "bol"

    # default credentials (flags may set others)
    client_id = "sim-bol-client"
    client_secret = "sim-bol-secret"

    token_lifetime = 300  # seconds an access token lives; `expires_in` says one less (299), as Bol
    process_polls = 2  # a process status is PENDING on the POST and the first poll, decided on the 2nd
    process_seconds = 3.0  # ... or once this old, polled or not
    default_sizes = {"orders": 250, "products": 40}

    def __init__(self, sim):
        super().__init__(sim)
        self.tokens = {}  # access token -> exp (epoch seconds); kept across resets
        self._local = threading.local()
        self._routes = self._build_routes()

    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = max(2, int(sizes.get("products", self.default_sizes["products"])))
        self.seed = seed
        self.rng = random.Random("bol-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self._salt = self.rng.randrange(10**7)
        self._order_seq = 0
        self._item_seq = 0
        self._ps_seq = 0
        self._ship_seq = 0
        self._return_seq = 0
        self._report_seq = 0
        self.orders = {}  # order id -> order
        self.order_list = []
        self.items = {}  # order item id -> (order, item)
        self.shipments = []
        self.shipments_by_id = {}
        self.processes = {}  # id -> process status (with private _keys)
        self.process_list = []
        self.pending = []
        self.reports = {}  # offer export id -> csv text
        self.returns = []
        self.returns_by_id = {}
        self.rma = {}  # rma id -> (return, return item)
        self.offers_touched = []
        self._returned = set()  # order item ids with a return
        self._cache = {}
        self._build_catalogue(n_products)
        days = float(sizes.get("order_days", 60))  # the span of the generated orders' placement dates
        self._generate_orders(n_orders, self.now - days * 86400, self.now - 120)
        self._generate_returns(int(sizes.get("returns", max(3, n_orders // 25))))
        self._reset_invoices()
