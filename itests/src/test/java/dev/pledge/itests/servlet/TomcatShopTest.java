package dev.pledge.itests.servlet;

import java.io.IOException;
import java.nio.file.Path;

/** The shop in Tomcat 11 standalone ({@code catalina.sh run}), Pledge in CATALINA_BASE/lib, resources in conf/context.xml. */
class TomcatShopTest extends ServletContainerBehaviour {
    @Override
    ShopServer newServer(Path base, ShopSettings settings) throws IOException {
        return new TomcatServer(base, settings);
    }

    @Override
    String node() {
        return "shop-tomcat";
    }
}
