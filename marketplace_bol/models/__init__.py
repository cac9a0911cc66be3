from . import marketplace_instance
from . import delivery_carrier
from . import stock_picking
from . import bol_demo
from . import marketplace_instance_account
from . import bol_order_status
