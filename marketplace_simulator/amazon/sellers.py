"""Sellers v1: getMarketplaceParticipations. The seller's marketplaces change with the control
action ``set_participations`` (a marketplace Amazon opens to the account, or one it leaves)."""

from .data import MARKETPLACES


class SellersMixin:
    def _participations(self, req):
        payload = []
        for mp_id in self.participations:
            country, name, currency, language, domain = MARKETPLACES[mp_id][:5]
            payload.append(
                {
                    "marketplace": {
                        "id": mp_id,
                        "countryCode": country,
                        "name": name,
                        "defaultCurrencyCode": currency,
                        "defaultLanguageCode": language,
                        "domainName": domain,
                    },
                    "participation": {"isParticipating": True, "hasSuspendedListings": False},
                }
            )
        return self._ok(200, {"payload": payload})

    def _set_participations(self, ids):
        """The seller's marketplaces from now on; an error text for an unknown one."""
        unknown = [mp_id for mp_id in ids if mp_id not in MARKETPLACES]
        if unknown or not ids:
            return "marketplaces must be 1 or more of %s (%s unknown)" % (", ".join(MARKETPLACES), unknown)
        self.participations = list(dict.fromkeys(ids))
        return None
