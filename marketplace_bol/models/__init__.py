from . import marketplace_instance
from . import delivery_carrier
from . import stock_picking
from . import bol_demo
from . import bol_order_status
