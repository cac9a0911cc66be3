"""python -m marketplace_simulator --port PORT [--seed N]"""

import argparse
import logging

from .core import Simulator, SimulatorServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="marketplace_simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8069 + 1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-rate-limits", action="store_true", help="answer without throttling")
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiply every documented rate")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--public-url",
        help="base URL clients reach this server at, for the document URLs it hands out "
        "(default http://HOST:PORT)",
    )
    parser.add_argument(
        "--bol-client-id", help="Bol.com client id accepted at /bol/token (default sim-bol-client)"
    )
    parser.add_argument("--bol-client-secret", help="Bol.com client secret (default sim-bol-secret)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s %(message)s"
    )
    sim = Simulator(seed=args.seed, rate_limits=not args.no_rate_limits, rate_scale=args.rate_scale)
    if args.public_url:
        sim.public_url = args.public_url.rstrip("/")
    if args.bol_client_id:
        sim.marketplaces["bol"].client_id = args.bol_client_id
    if args.bol_client_secret:
        sim.marketplaces["bol"].client_secret = args.bol_client_secret
    server = SimulatorServer((args.host, args.port), sim)
    logging.getLogger("marketplace_simulator").warning(
        "marketplace simulator on http://%s:%s (/amazon, /bigcommerce, /bol, /_sim)", args.host, args.port
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
