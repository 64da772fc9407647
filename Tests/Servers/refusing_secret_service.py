#!/usr/bin/python3
"""A Secret Service (freedesktop.org spec) that stores items, in memory, and then will not let
them go: enough of the spec for libsecret to store and read, with Item.Delete answering as
REFUSE says. gnome-keyring never refuses a Delete of an unlocked item, so the tests need this
to see what apictl does when a removal does not happen:

  REFUSE=error:NAME  Delete fails with the D-Bus error NAME and keeps the item
  REFUSE=dismiss     Delete asks for a prompt, and the prompt is dismissed (a user who said No)

Run with the system python3 (python3-dbus, python3-gi) on the bus in DBUS_SESSION_BUS_ADDRESS."""
import os

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
SERVICE, COLLECTION_IFACE, ITEM, PROMPT = ("org.freedesktop.Secret.Service", "org.freedesktop.Secret.Collection",
                                           "org.freedesktop.Secret.Item", "org.freedesktop.Secret.Prompt")
PROPERTIES, BASE = "org.freedesktop.DBus.Properties", "/org/freedesktop/secrets"
COLLECTION = BASE + "/collection/login"
REFUSE = os.environ.get("REFUSE", "error:org.freedesktop.DBus.Error.UnknownMethod")
items = {}      # path -> Item
serial = [0]


def next_path(folder):
    serial[0] += 1
    return f"{folder}/{serial[0]}"


class Refused(dbus.DBusException):
    def __init__(self, name):
        super().__init__("refused by the test's Secret Service")
        self._dbus_error_name = name


class WithProperties(dbus.service.Object):
    def properties(self):
        return {}

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.properties()[interface][name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return dbus.Dictionary(self.properties().get(interface, {}), signature="sv")


class Item(WithProperties):
    def __init__(self, path, attributes, secret, label):
        super().__init__(bus, path)
        self.path, self.attributes, self.secret, self.label = path, attributes, secret, label

    def properties(self):
        return {ITEM: {"Attributes": dbus.Dictionary(self.attributes, signature="ss"), "Label": self.label,
                       "Locked": dbus.Boolean(False), "Created": dbus.UInt64(0), "Modified": dbus.UInt64(0)}}

    @dbus.service.method(ITEM, out_signature="o")
    def Delete(self):
        if REFUSE.startswith("error:"):
            raise Refused(REFUSE[len("error:"):])
        return dbus.ObjectPath(DismissedPrompt(next_path(BASE + "/prompt")).path)

    @dbus.service.method(ITEM, in_signature="o", out_signature="(oayays)")
    def GetSecret(self, session):
        return (session, dbus.ByteArray(b""), dbus.ByteArray(self.secret), "text/plain")


class DismissedPrompt(dbus.service.Object):
    def __init__(self, path):
        super().__init__(bus, path)
        self.path = path

    @dbus.service.method(PROMPT, in_signature="s")
    def Prompt(self, window):
        GLib.timeout_add(20, lambda: self.Completed(True, dbus.String("", variant_level=1)) and False)

    @dbus.service.method(PROMPT)
    def Dismiss(self):
        self.Completed(True, dbus.String("", variant_level=1))

    @dbus.service.signal(PROMPT, signature="bv")
    def Completed(self, dismissed, result):
        pass


def matching(attributes):
    return [path for path, item in items.items() if all(item.attributes.get(k) == v for k, v in attributes.items())]


class Collection(WithProperties):
    def properties(self):
        return {COLLECTION_IFACE: {"Items": dbus.Array([dbus.ObjectPath(p) for p in items], signature="o"), "Label": "Login",
                                   "Locked": dbus.Boolean(False), "Created": dbus.UInt64(0), "Modified": dbus.UInt64(0)}}

    @dbus.service.method(COLLECTION_IFACE, in_signature="a{sv}(oayays)b", out_signature="oo")
    def CreateItem(self, properties, secret, replace):
        attributes = dict(properties.get(ITEM + ".Attributes", {}))
        label = str(properties.get(ITEM + ".Label", ""))
        for path in matching(attributes) if replace else []:
            if items[path].attributes == attributes:
                items[path].secret, items[path].label = bytes(secret[2]), label
                return (dbus.ObjectPath(path), dbus.ObjectPath("/"))
        path = next_path(COLLECTION)
        items[path] = Item(path, attributes, bytes(secret[2]), label)
        return (dbus.ObjectPath(path), dbus.ObjectPath("/"))

    @dbus.service.method(COLLECTION_IFACE, in_signature="a{ss}", out_signature="ao")
    def SearchItems(self, attributes):
        return dbus.Array([dbus.ObjectPath(p) for p in matching(attributes)], signature="o")


class Service(WithProperties):
    def properties(self):
        return {SERVICE: {"Collections": dbus.Array([dbus.ObjectPath(COLLECTION)], signature="o")}}

    @dbus.service.method(SERVICE, in_signature="sv", out_signature="vo")
    def OpenSession(self, algorithm, value):
        if algorithm != "plain":   # libsecret then asks again for plain
            raise Refused("org.freedesktop.DBus.Error.NotSupported")
        return (dbus.String("", variant_level=1), dbus.ObjectPath(next_path(BASE + "/session")))

    @dbus.service.method(SERVICE, in_signature="a{ss}", out_signature="aoao")
    def SearchItems(self, attributes):
        return (dbus.Array([dbus.ObjectPath(p) for p in matching(attributes)], signature="o"), dbus.Array([], signature="o"))

    @dbus.service.method(SERVICE, in_signature="aoo", out_signature="a{o(oayays)}")
    def GetSecrets(self, paths, session):
        return dbus.Dictionary({dbus.ObjectPath(p): (session, dbus.ByteArray(b""), dbus.ByteArray(items[p].secret), "text/plain")
                                for p in paths if p in items}, signature="o(oayays)")

    @dbus.service.method(SERVICE, in_signature="ao", out_signature="aoo")
    def Unlock(self, objects):
        return (dbus.Array(objects, signature="o"), dbus.ObjectPath("/"))

    @dbus.service.method(SERVICE, in_signature="s", out_signature="o")
    def ReadAlias(self, name):
        return dbus.ObjectPath(COLLECTION if name == "default" else "/")


Service(bus, BASE)
Collection(bus, COLLECTION)
Collection(bus, BASE + "/aliases/default")
name = dbus.service.BusName("org.freedesktop.secrets", bus, do_not_queue=True)
GLib.MainLoop().run()
