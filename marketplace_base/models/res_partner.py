from odoo import api, fields, models, tools
from odoo.tools import email_normalize

ADDRESS_FIELDS = ("street", "street2", "city", "zip", "country_id", "state_id")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Returning buyers are found by email on every imported order: an index keeps that lookup
    # from scanning every contact.
    email_normalized = fields.Char(index=True)

    @api.model
    def _marketplace_partners(self, instance, order):
        """(customer, invoice address, delivery address) of a neutral order.

        The same buyer is found again on later orders (by email, else by name and address);
        addresses are child contacts, reused when identical."""
        invoice = order.invoice_address or order.delivery_address
        delivery = order.delivery_address or order.invoice_address
        if (not invoice or invoice.is_empty()) and not order.customer.email and not order.customer.name:
            partner = instance._anonymous_partner()
            # A hidden buyer's destination (country, region) still decides the order's fiscal
            # position (e.g. EU one-stop-shop rules): a delivery address of the anonymous customer.
            if delivery and delivery.country_code:
                return partner, partner, partner._marketplace_address("delivery", delivery)
            return partner, partner, partner
        customer = self._marketplace_customer(instance, order, invoice)
        # Child contacts only for addresses that differ from the customer's own: most buyers
        # bill and ship to one address, and one partner for them keeps the import light.
        invoice_partner = customer._marketplace_address("invoice", invoice) if invoice else customer
        delivery_partner = (
            (
                invoice_partner._marketplace_matches(delivery)
                and invoice_partner
                or customer._marketplace_address("delivery", delivery)
            )
            if delivery
            else invoice_partner
        )
        return customer, invoice_partner, delivery_partner

    @api.model
    def _marketplace_customer(self, instance, order, address):
        """The buyer of the order within the instance's company (its own contacts and shared ones),
        created there when new: by email, else by name and address."""
        email = (order.customer.email or (address and address.email) or "").strip().lower()
        name = order.customer.name or (address and (address.name or address.company)) or email
        values = self._marketplace_address_values(address) if address else {}
        company = instance.company_id
        domain = [("type", "=", "contact"), ("is_company", "=", False)] + self._marketplace_company_domain(
            company
        )
        if email:
            email = email_normalize(email) or email
            domain.append(("email_normalized", "=", email))
            key = ("customer", email)
        else:
            identity = [(f, "=", values.get(f) or False) for f in ("street", "zip", "country_id")]
            domain += [("name", "=", name)] + identity
            key = ("customer", name, tuple(identity))

        def new_customer():
            parent = self._marketplace_company_contact(instance, address, values)
            vals = dict(
                values,
                name=name,
                email=email or False,
                parent_id=parent.id or False,
                company_id=company.id,
                lang=instance.lang or False,
                **self._marketplace_receivable(instance),
            )
            if address and address.vat and not parent:
                vals["vat"] = address.vat
            if address and address.company and not parent:
                vals["company_name"] = address.company
            return vals

        return self.env["marketplace.key.lock"]._find_or_create(self, company, key, domain, new_customer)

    @api.model
    def _marketplace_company_contact(self, instance, address, values):
        """The company a business buyer is filed under ("Create Company Contact?"), or nothing."""
        if not (instance.create_company_contact and address and address.company):
            return self.browse()
        company = instance.company_id
        domain = [
            ("is_company", "=", True),
            ("name", "=", address.company),
        ] + self._marketplace_company_domain(company)
        return self.env["marketplace.key.lock"]._find_or_create(
            self,
            company,
            ("company", address.company),
            domain,
            lambda: dict(
                values,
                name=address.company,
                is_company=True,
                vat=address.vat or False,
                company_registry=address.company_registry or False,
                company_id=company.id,
                **self._marketplace_receivable(instance),
            ),
        )

    @staticmethod
    def _marketplace_company_domain(company):
        """Contacts an instance may use: its company's, and those shared by every company."""
        return [("company_id", "in", (False, company.id))]

    @staticmethod
    def _marketplace_receivable(instance):
        if instance.receivable_account_id:
            return {"property_account_receivable_id": instance.receivable_account_id.id}
        return {}

    def _marketplace_address(self, kind, address):
        """The customer itself when it has that address, else its child contact of that kind
        for it, created when new (in the customer's company)."""
        self.ensure_one()
        if self._marketplace_matches(address):
            return self
        name = address.name or self.name
        for child in self.child_ids.filtered(lambda c: c.type == kind and c.name == name):
            if child._marketplace_matches(address):
                return child
        values = self._marketplace_address_values(address)
        domain = [("parent_id", "=", self.id), ("type", "=", kind), ("name", "=", name)] + [
            (f, "=", values.get(f) or False) for f in ADDRESS_FIELDS
        ]
        return self.env["marketplace.key.lock"]._find_or_create(
            self.browse(),
            self.company_id,
            ("address", tuple(domain)),
            domain,
            lambda: dict(
                values,
                name=name,
                type=kind,
                parent_id=self.id,
                company_id=self.company_id.id,
                email=address.email or False,
            ),
        )

    def _marketplace_matches(self, address):
        """Whether this partner is at that address, under that name."""
        self.ensure_one()
        if address.name and address.name != self.name:
            return False
        values = self._marketplace_address_values(address)
        return all(
            (self[f].id if f.endswith("_id") else self[f]) == (values.get(f) or False) for f in ADDRESS_FIELDS
        )

    @api.model
    def _marketplace_address_values(self, address):
        country_id, state_id = self._marketplace_country_state(
            address.country_code, address.state_code, address.state_name
        )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country_id,
            "state_id": state_id,
            "phone": address.phone or False,
        }

    @api.model
    @tools.ormcache("country_code", "state_code", "state_name")
    def _marketplace_country_state(self, country_code, state_code, state_name=None):
        """(country id, state id) of an address: the state by its code, else by its name (or a
        code given as name), in any case; looked up for every address of every order, and
        countries do not change: cached."""
        country = country_code and self.env["res.country"].search([("code", "=", country_code)], limit=1)
        if not country:
            return False, False
        State = self.env["res.country.state"]
        state = state_code and State.search(
            [("country_id", "=", country.id), ("code", "=", state_code)], limit=1
        )
        if not state and state_name:
            state = State.search(
                [
                    ("country_id", "=", country.id),
                    "|",
                    ("name", "=ilike", state_name.strip()),
                    ("code", "=ilike", state_name.strip()),
                ],
                limit=1,
            )
        return country.id, (state.id if state else False)
