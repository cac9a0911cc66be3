"""Local simulator of the Amazon SP-API, BigCommerce and Bol.com APIs over real HTTP.

Imports nothing from Odoo; used by tests, demos and benchmarks.
"""

from .core import Simulator, SimulatorServer, serve_in_thread  # noqa: F401
