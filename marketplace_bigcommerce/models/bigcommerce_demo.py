from odoo import api, models

from ..adapter.mapping import STANDARD_STATUSES

DEMO_LOCATION = {"id": 1, "code": "BC-LOCATION-1", "label": "Lager Hamburg", "enabled": True}


class BigCommerceDemo(models.AbstractModel):
    """Demo data: a confirmed BigCommerce store on the local simulator and its catalogue as
    products with stock (as the Amazon demo account), so the first Import Orders shows orders of
    real products without credentials."""

    _name = "bigcommerce.demo"
    _description = "BigCommerce Demo Store"

    @api.model
    def _create_instance(self):
        """Confirmed without calling BigCommerce: the simulator may not run while the database is
        set up; what Confirm would read is the simulator's known store (EUR, KGS, location 1)."""
        url = self.env["marketplace.demo"]._simulator_url()
        instance = self.env["marketplace.instance"].create(
            {
                "name": "BigCommerce (simulator)",
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": "simstore",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": url + "/bigcommerce",
                "currency_id": self.env.ref("base.EUR").id,
                "bigcommerce_weight_unit": "KGS",
                # the store's own taxes: the demo company's default sales tax is not the store's
                "tax_system": "marketplace",
                "log_level": "all",
            }
        )
        self.env.ref("base.EUR").sudo().active = True  # sudo: demo data set-up, the store's currency
        instance._update_bigcommerce_statuses(
            [{"id": sid, "name": name, "order": order} for sid, name, order in STANDARD_STATUSES]
        )
        self.env["bigcommerce.location"]._update(instance, [DEMO_LOCATION])
        instance._ensure_pricelist()
        instance.state = "confirmed"
        return self.env["marketplace.demo"]._ready(
            instance,
            "marketplace_bigcommerce.demo_instance",
            "marketplace_bigcommerce/data/demo_catalogue.csv",
            days=30,
        )
