"""A live RTSP camera for tests: serves CLIP, looped and re-encoded as H.264, at
rtsp://127.0.0.1:PORT/cam with Debian's GStreamer RTSP server. Prints 'ready' once listening.
Needs python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-rtsp, gstreamer1.0-plugins-good and
gstreamer1.0-plugins-ugly; exits non-zero naming what is missing."""
import sys

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
except (ImportError, ValueError) as e:
    sys.exit("rtsp_server.py needs python3-gi and gir1.2-gst-rtsp-server-1.0: %s" % e)

clip, port = sys.argv[1], sys.argv[2]
Gst.init(None)
for element in ("multifilesrc", "decodebin", "x264enc", "rtph264pay"):
    if Gst.ElementFactory.find(element) is None:
        sys.exit("GStreamer element %s is missing (gstreamer1.0-plugins-good/-ugly)" % element)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( multifilesrc location=%s loop=true ! decodebin ! videoconvert ! x264enc tune=zerolatency"
    " speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )" % clip
)
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0:
    sys.exit("cannot listen on 127.0.0.1:%s" % port)
print("ready", flush=True)
GLib.MainLoop().run()
